"""Self-contained HTML reports: summary dict → Jinja2 (autoescaped) → HTML with embedded plots."""

from riskmodel.reports._render import figure_to_data_uri, render_template

__all__ = ["figure_to_data_uri", "render_template"]
