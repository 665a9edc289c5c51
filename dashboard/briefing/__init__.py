"""The weekly situation briefing 周报: PNG images of the key panels and of the whole wall at the
week's end, and one PDF document, for an ISO week (``python -m dashboard.briefing``).

compose.py reads the figures and writes the summary; document.py lays out the HTML slides;
shoot.py drives Chromium; build.py writes the folder all or nothing; routes.py serves a zip.
"""
