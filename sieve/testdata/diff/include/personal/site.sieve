require "fileinto";
fileinto "PersonalSite";
