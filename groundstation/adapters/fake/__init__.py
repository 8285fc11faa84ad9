"""adapters/fake"""
