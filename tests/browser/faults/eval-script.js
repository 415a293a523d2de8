window.planted = eval("6 * 7");
