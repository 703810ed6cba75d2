"""`python -m steplint` runs the same CLI as the console script."""

from steplint.entry import main

if __name__ == "__main__":
    main()
