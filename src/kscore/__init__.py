"""kscore: the merchant and creator scoring warehouse."""
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
