from reducto_tui.cli import main

main()
