"""analogmap.extractors"""
