"""analogmap.api"""
