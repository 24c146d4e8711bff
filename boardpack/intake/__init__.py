"""Ways data comes in: owners' returns and old Word papers, read back into paper files.

Apart from the renderers, but sharing their layouts, so that what boardpack writes it can
read again. Everything read here is untrusted: shown, never executed or fetched.
"""
