# The ncurses live view and its text renderer (above the Lua layer).
