"""{{ service_name }}.

{{ description | wordwrap(96) }}
"""
