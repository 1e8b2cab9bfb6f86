"""Text watermarks draw real letters on a machine without fonts of its own.

A fresh machine (a slim container, a CI runner) may have no fonts for fontconfig to find; Pango
then draws the same box for every character. The test runs in a process whose fontconfig sees
an empty configuration, checks that plain libvips there draws boxes, and that imgwired draws
letters: ``iiii`` far narrower than ``WWWW``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from imgwired.transform.watermark_text import bundled_font_files

_PROBE = """
import json
from imgwired.imaging.vips import pyvips
from imgwired.transform.watermark_text import render_text
from imgwired.transform.grammar.watermark_values import WatermarkText

vips = pyvips()
# Before imgwired hands its fonts over: what this machine alone can draw.
bare = [vips.Image.text(text, dpi=72).width for text in ("iiii", "WWWW")]
drawn = {}
for text in ("iiii", "WWWW"):
    image = render_text(WatermarkText(text, size=40), scale=1.0, max_dimension=8192)
    ink = image[3] > 128
    columns, _ = ink.project()
    xs = [x for x in range(image.width) if columns(x, 0)[0] > 0]
    drawn[text] = {"ink_width": xs[-1] - xs[0] + 1 if xs else 0, "max_alpha": image[3].max()}
print(json.dumps({"bare": bare, "drawn": drawn}))
"""


def test_the_shipped_font_is_installed() -> None:
    names = {path.name for path in bundled_font_files()}
    assert "SourceSansPro-Regular.ttf" in names
    assert "SourceSansPro-Bold.ttf" in names


def test_text_is_drawn_in_real_letters_where_fontconfig_knows_no_font(tmp_path: Path) -> None:
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("FONTCONFIG_PATH", None)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    narrow, wide = seen["bare"]
    assert narrow == wide, "the test machine's fontconfig still found fonts"  # boxes only
    letters = seen["drawn"]
    assert letters["iiii"]["max_alpha"] == letters["WWWW"]["max_alpha"] == 255
    assert letters["iiii"]["ink_width"] < 0.5 * letters["WWWW"]["ink_width"], letters
