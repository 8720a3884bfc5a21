"""Streamlit dashboard over published vintages (reads the store, never the network)."""
