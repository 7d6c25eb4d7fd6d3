"""The Teams app package: manifest (generated from the command registry), icons, zip."""
