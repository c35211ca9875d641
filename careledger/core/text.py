"""Text that can go anywhere we write it: XML (xlsx, docx), HTML, CSV (SEC-48).

`clean_text` is applied to free text at input (the case and contact services) and again by every
exporter, so text stored before the cleaning existed still exports.
"""

import re

# Characters XML 1.0 cannot carry (control characters other than tab, newline and carriage return;
# lone surrogates; U+FFFE/U+FFFF), and the C1 controls, which no form legitimately sends.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> str:
    """``value`` as a string without characters that cannot go into XML; CRLF and CR become LF."""
    if value is None:
        return ""
    text = str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text)
