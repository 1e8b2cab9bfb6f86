from imgwired.cli.main import main

raise SystemExit(main())
