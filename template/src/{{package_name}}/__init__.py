"""{{ service_name }}: {{ description }}"""
