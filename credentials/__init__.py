"""Registration certificates as SD-JWT VCs, and their status lists.

Depends on `cryptography` alone, so that a partner service can embed the verifier and check a
certificate without calling the platform (the platform never learns who checked whom).
"""
