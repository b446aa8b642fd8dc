"""``python -m autarky``."""

from autarky._entry import main

if __name__ == "__main__":
    main()
