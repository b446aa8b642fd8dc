"""``python -m autarky``."""

from autarky._entry import main

main()
