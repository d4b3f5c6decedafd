# State written before the composition moved into modules/environment keeps
# its resources: these blocks re-address them instead of planning a destroy
# and re-create of the whole environment. Remove once every environment has
# applied them.
moved {
  from = module.network
  to   = module.environment.module.network
}

moved {
  from = module.cluster
  to   = module.environment.module.cluster
}

moved {
  from = module.database
  to   = module.environment.module.database
}

moved {
  from = module.registry
  to   = module.environment.module.registry
}

moved {
  from = module.edge
  to   = module.environment.module.edge
}
