#!/usr/bin/env python
"""Django's manage.py; the same as the ``sektorbro`` console command."""

from sektorbro.cli import main

if __name__ == "__main__":
    main()
