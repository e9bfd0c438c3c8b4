require "fileinto";
fileinto "S1";
stop;
