environment = "stage"
