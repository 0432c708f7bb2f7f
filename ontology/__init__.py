"""analogmap.ontology"""
