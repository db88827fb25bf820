"""The report PDFs, drawn with reportlab.

Attribute checking of reportlab's chart objects is a development aid that
cost about a third of a chart's drawing time; the charts here are fixed code
covered by tests, so it is off. reportlab reads the flag when its graphics
modules are first imported, hence here, before reporting.pdf.charts.
"""

from reportlab import rl_config

rl_config.shapeChecking = 0
