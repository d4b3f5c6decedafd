"""{{ service_name }}.

{{ description | wordwrap(96) }}
"""

DESCRIPTION = (__doc__ or "").split("\n", 2)[-1].strip()
