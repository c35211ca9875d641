"""Moved to ``careledger.core.export_safety`` (the audit trail's exports use it too, and audit sits below
exports). Kept so that imports of ``careledger.exports.safe`` keep working."""

from careledger.core.export_safety import Watermark, formula_like, neutralise, safe_name, watermark_for

__all__ = ["Watermark", "formula_like", "neutralise", "safe_name", "watermark_for"]
