"""analogmap.corpus"""
