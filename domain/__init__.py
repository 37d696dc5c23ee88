"""The rules of the Furusato Resident Registration scheme, in plain Python.

Nothing here performs I/O or imports a framework: services load state through a
unit of work, call these functions and save what they return.
"""
