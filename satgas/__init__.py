"""SATGAS: the field-crew work-log service of DPUPR Kota Malang."""
from satgas.app import create_app

__all__ = ["create_app"]
