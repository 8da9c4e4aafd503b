"""Hugging Face Hub lineage: root families (set-wise resolution) and their attribution."""
