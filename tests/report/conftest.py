import os
import sys

# the golden helpers (tests/report/goldens.py) are imported by the tests as a module
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
