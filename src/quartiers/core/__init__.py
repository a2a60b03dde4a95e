"""Cœurs sans framework de Quartiers : purs Python, strictement typés, testés isolément."""
