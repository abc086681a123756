"""Write a copy of _config.yml that builds the book from the committed notebook outputs.

Usage: python scripts/book_config.py --no-execute OUTPUT.yml   (used by ``make test``)
"""

import sys
from pathlib import Path

import yaml

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--no-execute":
        sys.exit("usage: python scripts/book_config.py --no-execute OUTPUT.yml")
    config = yaml.safe_load(Path("_config.yml").read_text())
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    output = Path(sys.argv[2])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(yaml.safe_dump(config, sort_keys=False))
