"""The summary chart: drawn by matplotlib (`draw`), in a process started early so a build does not wait for matplotlib to load (`process`).

This package module imports neither, so importing `process` does not load matplotlib.
"""
