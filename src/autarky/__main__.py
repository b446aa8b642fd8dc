"""``python -m autarky``."""

from autarky.cli import main

main()
