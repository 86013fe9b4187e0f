" constitutionc's .cdl files. Vim's own runtime already claims *.cdl (`setf cdl`, an unrelated
" language), so this sets the filetype outright: `set filetype=` wins over the earlier `setf`.
autocmd BufRead,BufNewFile *.cdl set filetype=constitution
