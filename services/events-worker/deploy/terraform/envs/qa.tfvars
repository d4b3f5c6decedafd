environment = "qa"
