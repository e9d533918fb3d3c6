"""The sections of each page, one module per page and one function per section.

A section function takes every value it shows as an explicit argument (no module globals, no
session state) and draws with ``st.*``; a page script is the sequencing that calls them.
"""
