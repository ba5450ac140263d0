"""``python -m bookstracker``: the command line."""

from bookstracker.cli import main

if __name__ == "__main__":
    main()
