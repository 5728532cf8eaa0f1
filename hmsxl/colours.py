"""The one colour palette of everything hmsxl writes: workbooks, reports, annotated copies.

Red, yellow and green mean the same everywhere: an error or something overdue, a
warning or something under way, done.
"""

HEADER = "#1F4E79"
HEADER_FONT = "#FFFFFF"
INTRO_FONT = "#404040"
LOCKED = "#F2F2F2"
BORDER = "#A6A6A6"
RED = "#F4B6B6"
ORANGE = "#F8CBAD"
YELLOW = "#FFEB9C"
GREEN = "#C6EFCE"
BLUE = "#DDEBF7"
GREY = "#EDEDED"
MARKER = "#9DC3E6"
SERIES = ("#2E75B6", "#ED7D31")  # chart series: the BHT, the organisation

# By meaning.
SEVERITY = {"error": RED, "warning": YELLOW, "info": BLUE}
STATE = {"done": GREEN, "overdue": RED, "open": YELLOW, "na": GREY}
LEVEL = {1: RED, 2: ORANGE, 3: YELLOW, 4: GREEN}
RISK = {"low": GREEN, "medium": YELLOW, "high": RED}  # a finding's risk, on the 5 x 5 scale


def argb(colour: str) -> str:
    """"#RRGGBB" as openpyxl's "FFRRGGBB"."""
    return "FF" + colour.lstrip("#").upper()
