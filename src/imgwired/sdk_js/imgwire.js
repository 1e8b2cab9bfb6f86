/**
 * @imgwired/js: upload images from a browser to imgwired (or any Imgwire Resource API server).
 *
 * One upload is three steps: create a PENDING image (POST /api/v1/images/standard_upload, with
 * the client key and, when the key requires signed uploads, a single-use upload token), PUT the
 * bytes to the signed upload_url the server answered (XMLHttpRequest, because fetch reports no
 * upload progress), then read the image until processing has made it READY or QUARANTINE.
 *
 * Every failure is an ImgwireError: `status` is the HTTP status (0 when no answer could be
 * read: the network failed, or the browser refused the answer because of CORS), `detail` and
 * `errorType` are the server's error body, and `message` is one readable sentence.
 *
 * @module @imgwired/js
 */

const API_PREFIX = "/api/v1";
const SDK_PATH = "/sdk/imgwire.js";
const REQUEST_PARTS = new Set(["body", "query", "path", "header"]);
const DEFAULT_POLL_INTERVAL_MS = 500;
const DEFAULT_PROCESSING_TIMEOUT_MS = 60_000;
// The MIME types the API accepts; others are left for the server to sniff from the bytes.
const SUPPORTED_MIME_TYPES = new Set([
  "image/jpeg",
  "image/jxl",
  "image/png",
  "image/webp",
  "image/avif",
  "image/gif",
  "image/vnd.microsoft.icon",
  "image/heic",
  "image/bmp",
  "image/tiff",
]);

/**
 * @typedef {"PENDING" | "PROCESSING" | "READY" | "QUARANTINE"} ImageStatus
 */

/**
 * An image as the API answers it (the contract's ImageSchema).
 *
 * @typedef {object} Image
 * @property {string} id
 * @property {string | null} environment_id
 * @property {string | null} upload_token_id
 * @property {string} original_filename
 * @property {ImageStatus} status
 * @property {string} cdn_url
 * @property {string} mime_type
 * @property {number} width
 * @property {number} height
 * @property {number} size_bytes
 * @property {string | null} purpose
 * @property {string | null} idempotency_key
 * @property {Record<string, string | number | boolean>} custom_metadata
 * @property {string} created_at
 * @property {string} updated_at
 */

/**
 * @typedef {object} UploadProgress
 * @property {number} loaded  bytes sent so far
 * @property {number} total  bytes to send
 * @property {number} percent  0 to 100, rounded down; the last report is always 100
 */

/**
 * @callback GetUploadToken
 * Asks your backend for a single-use upload token (your backend creates it with a server key).
 * @returns {Promise<string>}
 */

/**
 * @typedef {object} ClientOptions
 * @property {string} apiKey  a client key (`ck_...`); never a server key in a browser
 * @property {string} [baseUrl]  the server's URL; defaults to the imgwired that served this
 *   module when it was loaded from `<imgwired>/sdk/imgwire.js`
 * @property {GetUploadToken} [getUploadToken]  called before each upload that is given no token
 * @property {number} [pollIntervalMs]  how often to read a processing image (default 500)
 * @property {number} [processingTimeoutMs]  how long to wait for processing (default 60000)
 */

/**
 * @typedef {object} UploadOptions
 * @property {string} [uploadToken]  a token for this upload (then no token is requested)
 * @property {GetUploadToken} [getUploadToken]  overrides the client's for this upload
 * @property {(progress: UploadProgress) => void} [onProgress]  called as the bytes are sent
 * @property {string} [idempotencyKey]  retrying with the same key answers the same image
 * @property {Record<string, string | number | boolean>} [customMetadata]
 * @property {string} [purpose]
 * @property {string} [fileName]  defaults to the File's name
 * @property {AbortSignal} [signal]  aborts the upload or the wait for processing
 */

/** An error from the server, from the network, or from waiting for processing. */
export class ImgwireError extends Error {
  /**
   * @param {string} message  one readable sentence
   * @param {object} [info]
   * @param {number} [info.status]  the HTTP status; 0 when there was no readable answer
   * @param {unknown} [info.detail]  the server's `detail`: a sentence, or a list for a 422
   * @param {string | null} [info.errorType]  the server's stable `error_type`
   * @param {string | null} [info.requestId]  quote it when reporting a problem
   * @param {Image | null} [info.image]  the image, when waiting for its processing timed out
   * @param {unknown} [info.cause]
   */
  constructor(message, info = {}) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = "ImgwireError";
    /** @type {number} */
    this.status = info.status ?? 0;
    /** @type {unknown} */
    this.detail = info.detail ?? message;
    /** @type {string | null} */
    this.errorType = info.errorType ?? null;
    /** @type {string | null} */
    this.requestId = info.requestId ?? null;
    /** @type {Image | null} */
    this.image = info.image ?? null;
  }
}

/** A client of one environment, authenticated by a client key. */
export class ImgwireClient {
  /** @param {ClientOptions} options */
  constructor(options) {
    if (!options || !options.apiKey) {
      throw new TypeError("ImgwireClient needs an apiKey (a client key)");
    }
    const baseUrl = options.baseUrl ?? servingOrigin();
    if (!baseUrl) {
      throw new TypeError("ImgwireClient needs a baseUrl (the URL of your imgwired)");
    }
    /** @readonly */
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    /** @readonly */
    this.images = new Images(this, {
      apiKey: options.apiKey,
      getUploadToken: options.getUploadToken,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      processingTimeoutMs: options.processingTimeoutMs ?? DEFAULT_PROCESSING_TIMEOUT_MS,
    });
  }
}

/** `client.images`: upload an image and read images. */
class Images {
  /** @type {ImgwireClient} */
  #client;
  /** @type {{apiKey: string, getUploadToken?: GetUploadToken, pollIntervalMs: number,
   *          processingTimeoutMs: number}} */
  #options;

  /**
   * @param {ImgwireClient} client
   * @param {{apiKey: string, getUploadToken?: GetUploadToken, pollIntervalMs: number,
   *          processingTimeoutMs: number}} options
   */
  constructor(client, options) {
    this.#client = client;
    this.#options = options;
  }

  /**
   * Upload a File or Blob and resolve the processed image (READY, or QUARANTINE when the
   * server refused its content; check `image.status`).
   *
   * @param {Blob} file
   * @param {UploadOptions} [options]
   * @returns {Promise<Image>}
   */
  async upload(file, options = {}) {
    const { signal } = options;
    signal?.throwIfAborted();
    const uploadToken = options.uploadToken ?? (await this.#requestToken(options));
    signal?.throwIfAborted();
    const created = await this.#createUpload(file, options, uploadToken);
    await putWithProgress(created.upload_url, file, options.onProgress, signal);
    return this.waitUntilProcessed(created.image.id, { signal });
  }

  /**
   * Read one image.
   *
   * @param {string} imageId
   * @param {{signal?: AbortSignal}} [options]
   * @returns {Promise<Image>}
   */
  async get(imageId, options = {}) {
    const path = `${API_PREFIX}/images/${encodeURIComponent(imageId)}`;
    return /** @type {Promise<Image>} */ (this.#request("GET", path, { signal: options.signal }));
  }

  /**
   * Read the image until it is READY or QUARANTINE; an ImgwireError (errorType
   * "ProcessingTimeoutError", with the last `image` read) if that takes longer than the
   * client's processingTimeoutMs.
   *
   * @param {string} imageId
   * @param {{signal?: AbortSignal, timeoutMs?: number}} [options]
   * @returns {Promise<Image>}
   */
  async waitUntilProcessed(imageId, options = {}) {
    const timeoutMs = options.timeoutMs ?? this.#options.processingTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const image = await this.get(imageId, options);
      if (image.status === "READY" || image.status === "QUARANTINE") {
        return image;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new ImgwireError(
          `Image ${imageId} was still ${image.status} after ${timeoutMs / 1000} s`,
          { errorType: "ProcessingTimeoutError", image },
        );
      }
      await pause(Math.min(this.#options.pollIntervalMs, remaining), options.signal);
    }
  }

  /** @param {UploadOptions} options */
  async #requestToken(options) {
    const getUploadToken = options.getUploadToken ?? this.#options.getUploadToken;
    return getUploadToken ? getUploadToken() : undefined;
  }

  /**
   * @param {Blob} file
   * @param {UploadOptions} options
   * @param {string | undefined} uploadToken
   * @returns {Promise<{image: Image, upload_url: string}>}
   */
  async #createUpload(file, options, uploadToken) {
    const fileName =
      options.fileName ?? (typeof File !== "undefined" && file instanceof File ? file.name : "");
    /** @type {Record<string, unknown>} */
    const body = { file_name: fileName || "upload", content_length: file.size };
    if (SUPPORTED_MIME_TYPES.has(file.type)) body.mime_type = file.type;
    if (options.idempotencyKey !== undefined) body.idempotency_key = options.idempotencyKey;
    if (options.customMetadata !== undefined) body.custom_metadata = options.customMetadata;
    if (options.purpose !== undefined) body.purpose = options.purpose;
    const query = uploadToken ? `?upload_token=${encodeURIComponent(uploadToken)}` : "";
    const created = await this.#request("POST", `${API_PREFIX}/images/standard_upload${query}`, {
      body,
      signal: options.signal,
    });
    return /** @type {{image: Image, upload_url: string}} */ (created);
  }

  /**
   * One API request with the client key; the parsed JSON answer or an ImgwireError.
   *
   * @param {string} method
   * @param {string} path
   * @param {{body?: unknown, signal?: AbortSignal}} init
   * @returns {Promise<unknown>}
   */
  async #request(method, path, { body, signal }) {
    const url = this.#client.baseUrl + path;
    /** @type {Record<string, string>} */
    const headers = { Authorization: `Bearer ${this.#options.apiKey}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw unreachable(url, error);
    }
    const text = await response.text();
    if (!response.ok) {
      throw errorFromAnswer(response.status, response.statusText, text);
    }
    return JSON.parse(text);
  }
}

/**
 * Send the bytes of an upload created elsewhere (by your backend with its server key, or by a
 * signed-in dashboard) to its signed `upload_url`, reporting progress. The URL is the only
 * credential needed; resolves the image as the server answers it, rejects an ImgwireError.
 *
 * @param {string} uploadUrl  the `upload_url` that standard_upload answered
 * @param {Blob} file
 * @param {{onProgress?: (progress: UploadProgress) => void, signal?: AbortSignal}} [options]
 * @returns {Promise<unknown>}
 */
export function sendUpload(uploadUrl, file, options = {}) {
  options.signal?.throwIfAborted();
  return putWithProgress(uploadUrl, file, options.onProgress, options.signal);
}

/**
 * PUT the bytes to a signed upload URL, reporting progress; resolves the server's answer.
 *
 * @param {string} url
 * @param {Blob} file
 * @param {((progress: UploadProgress) => void) | undefined} onProgress
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<unknown>}
 */
function putWithProgress(url, file, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const total = file.size;
    let lastPercent = -1;
    /** @param {number} loaded */
    const report = (loaded) => {
      const percent = total > 0 ? Math.floor((Math.min(loaded, total) * 100) / total) : 100;
      if (onProgress && percent !== lastPercent) {
        lastPercent = percent;
        onProgress({ loaded: Math.min(loaded, total), total, percent });
      }
    };
    const onAbort = () => xhr.abort();
    const settle = () => signal?.removeEventListener("abort", onAbort);
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.onprogress = (event) => report(event.loaded);
    xhr.onload = () => {
      settle();
      if (xhr.status >= 200 && xhr.status < 300) {
        report(total); // small bodies may finish before any progress event fires
        resolve(JSON.parse(xhr.responseText));
      } else {
        reject(errorFromAnswer(xhr.status, xhr.statusText, xhr.responseText));
      }
    };
    xhr.onerror = () => {
      settle();
      reject(unreachable(url, null));
    };
    xhr.onabort = () => {
      settle();
      reject(signal?.reason ?? new DOMException("The upload was aborted", "AbortError"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    xhr.send(file);
  });
}

/**
 * The ImgwireError of an error answer: the server's JSON body when it is one.
 *
 * @param {number} status
 * @param {string} statusText
 * @param {string} text
 */
function errorFromAnswer(status, statusText, text) {
  /** @type {any} */
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not the server's JSON (a proxy's error page): the status line is all there is.
  }
  if (body && typeof body === "object" && "detail" in body) {
    return new ImgwireError(renderDetail(body.detail), {
      status,
      detail: body.detail,
      errorType: typeof body.error_type === "string" ? body.error_type : null,
      requestId: typeof body.request_id === "string" ? body.request_id : null,
    });
  }
  const line = `The server answered ${status}${statusText ? ` ${statusText}` : ""}`;
  return new ImgwireError(line, { status, detail: text || line });
}

/**
 * A detail as one line: a sentence as it is, a validation list as "where: what" items.
 *
 * @param {unknown} detail
 * @returns {string}
 */
function renderDetail(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item) => {
        if (!item || typeof item !== "object") return String(item);
        const where = Array.isArray(item.loc) ? item.loc : [];
        // ["body", "file_name"] reads as "file_name": the part of the request goes without saying.
        const loc = (REQUEST_PARTS.has(where[0]) ? where.slice(1) : where).join(".");
        return loc ? `${loc}: ${item.msg}` : String(item.msg);
      })
      .join("; ");
  }
  return JSON.stringify(detail);
}

/**
 * The error of a request that got no readable answer. A browser does not say whether the
 * network failed or CORS refused the answer (on purpose), so the message names both.
 *
 * @param {string} url
 * @param {unknown} cause
 */
function unreachable(url, cause) {
  const target = new URL(url).origin;
  const here = typeof location === "undefined" ? "" : ` (${location.origin})`;
  return new ImgwireError(
    `Could not reach ${target}: the network failed, or this page's origin${here} is not ` +
      "allowed by the environment's CORS origins",
    { status: 0, errorType: "NetworkError", cause: cause ?? undefined },
  );
}

/**
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<void>}
 */
function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The imgwired this module was served by, when it was loaded from `<imgwired>/sdk/...`. */
function servingOrigin() {
  const here = new URL(import.meta.url);
  if (!here.pathname.endsWith(SDK_PATH)) return undefined;
  return new URL("..", here).href; // "<imgwired>/sdk/imgwire.js" -> "<imgwired>/"
}
