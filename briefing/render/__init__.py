"""Render: Document -> out/brief.docx (render.docx) and out/brief.pdf (render.pdf).

Each writer is one module with ``write(doc, path, styles)``; adding an output format means adding
one writer.
"""
