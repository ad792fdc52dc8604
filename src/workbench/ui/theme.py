"""One calm, professional look: a light palette with a single accent colour."""

from __future__ import annotations

ACCENT = "#2f6fde"
INK = "#1f2937"
MUTED = "#6b7280"
LINE = "#e5e7eb"
PANEL = "#f8fafc"

STYLESHEET = f"""
QMainWindow, QWidget#page {{ background: #ffffff; }}
QWidget {{ color: {INK}; font-size: 13px; }}
QLabel#title {{ font-size: 20px; font-weight: 600; }}
QLabel#subtitle {{ color: {MUTED}; }}
QLabel#section {{ font-size: 14px; font-weight: 600; padding-top: 6px; }}
QLabel#metricValue {{ font-size: 22px; font-weight: 600; color: {INK}; }}
QLabel#metricLabel {{ color: {MUTED}; font-size: 12px; }}
QFrame#metric {{ background: {PANEL}; border: 1px solid {LINE}; border-radius: 8px; }}
QFrame#header {{ background: {PANEL}; border-bottom: 1px solid {LINE}; }}
QTableView {{ border: 1px solid {LINE}; border-radius: 6px; gridline-color: {LINE};
    selection-background-color: #dbe7fb; selection-color: {INK}; alternate-background-color: #fafbfc; }}
QHeaderView::section {{ background: {PANEL}; border: none; border-bottom: 1px solid {LINE};
    border-right: 1px solid {LINE}; padding: 5px 8px; font-weight: 600; color: {MUTED}; }}
QPushButton {{ border: 1px solid {LINE}; border-radius: 6px; padding: 6px 14px; background: #ffffff; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QStatusBar {{ color: {MUTED}; }}
"""
