require "fileinto";
fileinto "Site";
