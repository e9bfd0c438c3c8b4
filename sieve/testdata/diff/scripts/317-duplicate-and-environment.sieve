# duplicate's :uniqueid from an environment item (both extensions together)
require ["duplicate", "environment", "variables", "fileinto"];
if environment :matches "phase" "*" {
  if duplicate :uniqueid "${1}" :handle "phase" { discard; } else { fileinto "phase-new"; }
}
