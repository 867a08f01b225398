"""The bad-input corpus: workbooks generated into a test's tmp_path, each with what must
happen to it (see cases.py). Generated rather than stored, so that the big ones (100k
brackets, 140k-character cells, 100k columns) cost no repository space."""
