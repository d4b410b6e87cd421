"""What reporting tells the apps above it, which it must not import.

round_closed is sent once a round's closing has committed, with round (the Round, closed): open data builds a
release of everything public from it.
"""

from django.dispatch import Signal

round_closed = Signal()
