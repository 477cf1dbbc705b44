from asin_tui.cli import main

raise SystemExit(main())
