"""The template's own machinery: manifest, answer validation, post-generation steps, docs."""
