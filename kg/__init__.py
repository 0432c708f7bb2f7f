"""analogmap.kg"""
