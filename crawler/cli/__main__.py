"""`python -m crawler.cli`: the same entry point as the `parknews` script."""
from crawler.cli import main

main()
