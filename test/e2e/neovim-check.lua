-- Neovim (0.7 API) as a second LSP client of `ouro lsp --stdio`: attaches to the file given on the command
-- line, waits for diagnostics, asks for a hover over the first `retrain`, and writes what it saw to
-- $OURO_NVIM_OUT, one fact per line. Run by test/e2e/neovim.test.mjs.
local out_path = assert(os.getenv('OURO_NVIM_OUT'), 'OURO_NVIM_OUT is not set')
local node = assert(os.getenv('OURO_NODE'), 'OURO_NODE is not set')
local server = assert(os.getenv('OURO_SERVER'), 'OURO_SERVER is not set')
local lines = {}

local function emit(s)
  table.insert(lines, (s:gsub('\n', ' ')))
end

local function finish(code)
  local f = assert(io.open(out_path, 'w'))
  f:write(table.concat(lines, '\n') .. '\n')
  f:close()
  if code == 0 then
    vim.cmd('qall!')
  else
    vim.cmd('cquit! ' .. code)
  end
end

vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, { pattern = '*.ouro', command = 'setfiletype ouro' })

local severities = { 'error', 'warning', 'info', 'hint' }

local function check()
  local bufnr = vim.api.nvim_get_current_buf()
  emit('FILETYPE ' .. vim.bo[bufnr].filetype)
  local id = vim.lsp.start_client({
    name = 'ouro',
    cmd = { node, server, 'lsp', '--stdio' },
    root_dir = vim.fn.getcwd(),
  })
  assert(id, 'the language server did not start')
  vim.lsp.buf_attach_client(bufnr, id)

  local published = vim.wait(20000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50)
  assert(published, 'no diagnostics within 20 s')
  local diags = vim.diagnostic.get(bufnr)
  table.sort(diags, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  for _, d in ipairs(diags) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
    emit(string.format('DIAG %d:%d %s %s', d.lnum + 1, d.col + 1, severities[d.severity] or '?', code))
  end

  local row, col
  for i, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local c = text:find('^%s*retrain')
    if c then
      row, col = i - 1, text:find('retrain') - 1
      break
    end
  end
  assert(row, 'no retrain statement in the file')
  local client = vim.lsp.get_client_by_id(id)
  local res, err = client.request_sync('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = row, character = col },
  }, 10000, bufnr)
  assert(res and res.result, 'no hover: ' .. tostring(err or (res and res.err and res.err.message)))
  local contents = res.result.contents
  emit(string.format('HOVER %d:%d %s', row + 1, col + 1, type(contents) == 'table' and (contents.value or '') or tostring(contents)))
  vim.lsp.stop_client(id)
end

vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    local ok, err = pcall(check)
    if ok then
      finish(0)
    else
      emit('ERROR ' .. tostring(err))
      finish(1)
    end
  end,
})
